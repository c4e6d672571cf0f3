"""An independent fuzzer for geospacexr's readers (issue 16): see tests/fuzz/README.md.

Written without reading tests/robustness/ so that it does not share that harness's blind
spots: every attack here comes from the file-format descriptions and from what an outside
attacker tries on gzip, bzip2, HDF5, netCDF, IDL SAVE and DMAP files.
"""
