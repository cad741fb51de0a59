"""Reads Sotong's Open311 GeoReport v2 endpoint with the PyPI package `georeport`, in JSON
and in XML.

Usage: georeport_client.py ROOT_URL JURISDICTION SERVICE_CODE REQUEST_ID
Prints JSON with what the client read.
"""
import json
import sys

from georeport import GeoReport


def main():
    root, jurisdiction, code, request_id = sys.argv[1:5]
    out = {}
    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction=jurisdiction, output_format=fmt)
        services = client.get_service_list()
        if isinstance(services, dict):  # xmltodict gives one element as a dict
            services = [services]
        definition = client.get_service_definition(code)
        requests = client.get_service_requests(service_code=code, status="open")
        if isinstance(requests, dict):
            requests = [requests]
        one = client.get_service_request(request_id)
        out[fmt] = {
            "service_codes": [s["service_code"] for s in services],
            "service_names": [s["service_name"] for s in services],
            "definition_code": definition["service_code"],
            "open_request_ids": [r["service_request_id"] for r in requests],
            "request": {k: one.get(k) for k in ("service_request_id", "status", "service_code", "expected_datetime", "description")},
        }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
