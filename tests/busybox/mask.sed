# Mask values that legitimately differ between runs or machines.
# Lines the scenario starts with "fixed: " hold values that are the same everywhere
# (dates of fixed epoch times): they are never masked.
/^fixed: /b
# Dates such as 2025-01-31 and times such as 12:34:56.
s/\b20[2-9][0-9]-[01][0-9]-[0-3][0-9]\b/<DATE>/g
s/\b[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\b/<TIME>/g
# Epoch seconds of "now" (10 digits starting 17..19).
s/\b1[7-9][0-9]\{8\}\b/<EPOCH>/g
# Temp names made by mktemp.
s/tmp\.[A-Za-z0-9]\{6,\}/tmp.<RAND>/g
# pid-like numbers after "pid" words.
s/\(pid[ =:]*\)[0-9]\+/\1<PID>/g
