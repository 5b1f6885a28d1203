"""The shared vocabulary of a release, with no records in it: the spec, populations and
dimensions, the atoms model, the manifest, protection, the verifying reader and the audit."""
