from netpol_tui.cli import main

raise SystemExit(main())
