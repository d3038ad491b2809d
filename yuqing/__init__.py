"""yuqing (舆情): public-opinion monitoring and response for statistics bureaus.

Kept empty on purpose: every layer may import `yuqing.config` and `yuqing.clock`
without pulling in the CLI, the scheduler or the demo world.
"""
