from panocolor.cli import main

main()
