"""Tells which credential source botocore (the AWS CLI, `aws eks get-token`)
picks, for each case read as JSON from stdin: [{"env": {...}, "profile": str|null}].
`profile` is what `aws --profile` sets (a session profile: environment keys are
then ignored); AWS_PROFILE goes in env. Prints one JSON list: botocore's
credential method ("env", "assume-role", "custom-process"...), "none", or
"error:<exception class>". Nothing is fetched over the network: role, SSO and
web identity credentials are deferred by botocore until first use.
"""
import json
import os
import sys

import botocore.session

cases = json.load(sys.stdin)
base = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
results = []
for case in cases:
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(case["env"])
    try:
        session = botocore.session.Session(profile=case.get("profile"))
        credentials = session.get_credentials()
        results.append(credentials.method if credentials is not None else "none")
    except Exception as error:  # the kind of failure is what is compared
        results.append("error:" + type(error).__name__)
print(json.dumps(results))
