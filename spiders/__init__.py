"""The Scrapy side: one spider per configured unit, made from the catalog (no Python file per unit).

- ``loader``: the spider loader that turns catalog units into spider classes;
- ``unit``: the shared base spider (fetch and extract only);
- ``records``: what spiders yield (fetch records, items seen, column checks, article dates);
- ``pipelines``: the one pipeline, which writes records to the store;
- ``extensions``: sweep bookkeeping and judgement when a unit's crawl closes;
- ``settings``: the project's Scrapy settings (politeness, user agent, browser).
"""
