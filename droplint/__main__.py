from droplint.entry import main

if __name__ == "__main__":  # worker processes (--jobs) import this module again
    main()
