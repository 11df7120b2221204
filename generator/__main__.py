from .cli import main

main(obj={})
