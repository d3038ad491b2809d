"""`python -m yuqing …` is the `yuqing` console script."""

from yuqing.cli import main

main()
