#!/usr/bin/env python3
"""Turns data/cop-mapping.json into C tables (placeholder until the report model lands)."""
import json, sys
data = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as out:
    out.write("/* Generated from %s. Do not edit. */\n" % sys.argv[1].split("/")[-1])
    out.write("const unsigned ic_standards_guideline_count = %d;\n" % len(data["guidelines"]))
