"""The application shell: the `yuqing` command line, the scheduler, the service and the demo world.

It imports every layer and nothing imports it; the ground below (`yuqing.config`, `yuqing.clock`,
`yuqing.vocab`) is imported by every layer and imports nothing of ours.
"""
