from factoryverse.mcp import main

main()
