"""Compares Sotong's public-holiday calendar with an independent one: the PyPI package
`holidays` (South Korea, public category), year by year.

Usage: holidays_kr.py BASE_URL FIRST_YEAR LAST_YEAR
Prints JSON: {"YEAR": {"only_sotong": [...], "only_holidays": [...], "holidays_version": "..."}}.
"""
import json
import sys
import urllib.request

import holidays


def sotong_days(base, year):
    with urllib.request.urlopen(f"{base}/api/v1/sotong/holidays?year={year}") as response:
        return {entry["date"]: entry["name_ko"] for entry in json.load(response)}


def main():
    base, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    result = {}
    for year in range(first, last + 1):
        theirs = {day.isoformat(): name for day, name in holidays.KR(years=year, language="ko").items()}
        ours = sotong_days(base, year)
        result[str(year)] = {
            "only_sotong": sorted(f"{d} {ours[d]}" for d in ours.keys() - theirs.keys()),
            "only_holidays": sorted(f"{d} {theirs[d]}" for d in theirs.keys() - ours.keys()),
            "holidays_version": holidays.__version__,
            "days": len(ours),
        }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
