from droplint.entry import main

main()
