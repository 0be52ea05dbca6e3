"""Storage limitation and DPIA records: retention rules per kind of data, the scheduled job that
applies them, and the DPIA status per processing activity and collaboration."""
