from cfgen._cli import main

main()
