"""yuqing (舆情): public-opinion monitoring and response for statistics bureaus.

The ground every layer stands on: `yuqing.config` (settings), `yuqing.clock` (the injectable
`now()`) and `yuqing.vocab` (codes and their Chinese labels), which import nothing of ours.
The application shell that imports every layer (CLI, scheduler, service, demo world) is
`yuqing.app`, and nothing below imports it.

The stages (`yuqing.crawler`, `yuqing.analysis`, `yuqing.alerts`, `yuqing.api`, `yuqing.reports`,
`yuqing.store`) sit in folders beside this one in a checkout; an installed wheel puts them under
`yuqing/` (pyproject.toml maps them). In a checkout the line below lets Python find them there.
"""

from pathlib import Path

_checkout = Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "api" / "__init__.py").is_file():
    __path__.append(str(_checkout))
