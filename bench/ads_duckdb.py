"""DuckDB beside `larnav bench ads`: the same file, the same aggregation.

Usage: python bench/ads_duckdb.py FILE [RUNS]

Reads the JobTech JSON lines with read_json (newline-delimited) and groups by SSYK-4 code,
kommun code and month, counting ads and summing vacancies, on all cores. Prints the median wall
time and the peak resident memory of this process.
"""
import resource
import statistics
import sys
import time

import duckdb

path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
query = f"""
SELECT occupation_group.legacy_ams_taxonomy_id AS ssyk,
       workplace_address.municipality_code AS kommun,
       strftime(publication_date::TIMESTAMP, '%Y-%m') AS month,
       count(*) AS ads,
       sum(coalesce(number_of_vacancies, 1)) AS vacancies
FROM read_json('{path}', format = 'newline_delimited')
GROUP BY ALL
"""
con = duckdb.connect()
times = []
rows = 0
for _ in range(runs):
    t = time.perf_counter()
    rows = len(con.execute(query).fetchall())
    times.append(time.perf_counter() - t)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"duckdb {duckdb.__version__}: {rows} groups, median {statistics.median(times):.2f} s over {runs} runs "
      f"({', '.join(f'{x:.2f}' for x in times)}), peak memory {peak:.0f} MiB")
