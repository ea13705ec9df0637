"""One module per `rehearse` subcommand, each with `add_parser(subparsers)`."""
