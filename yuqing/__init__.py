"""yuqing (舆情): public-opinion monitoring and response for statistics bureaus.

The ground every layer stands on: `yuqing.config` (settings), `yuqing.clock` (the injectable
`now()`) and `yuqing.vocab` (codes and their Chinese labels), which import nothing of ours.
The application shell that imports every layer (CLI, scheduler, service, demo world) is
`yuqing.app`, and nothing below imports it. Kept empty on purpose.
"""
