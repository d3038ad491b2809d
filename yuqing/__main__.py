"""`python -m yuqing …` is the `yuqing` console script."""

from yuqing.app.cli import main

main()
