from factoryverse.ui import main

main()
