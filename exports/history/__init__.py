"""What changed since an earlier export of the period: row fingerprints, their merge, last year beside this one."""
