from factoryverse.cli import main

main()
