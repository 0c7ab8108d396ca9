from seoulrec.commands.main import main

main()
