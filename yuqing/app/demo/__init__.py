"""The demo world: simulated news, Weibo, Tieba and release-list sources replaying a CPI
data-fraud-accusation scenario in accelerated time, served in the sources' real formats."""
