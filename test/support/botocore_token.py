"""Prints the EKS token botocore (the AWS CLI's `aws eks get-token`) makes for
fixed credentials, region, cluster and instant: the cross-check of bascule's
golden vectors. Usage: botocore_token.py REGION CLUSTER AKID SECRET TOKEN|- ISO8601
"""
import datetime
import sys

import botocore.auth
import botocore.session
from awscli.customizations.eks.get_token import STSClientFactory, TokenGenerator

region, cluster, akid, secret, session_token, instant = sys.argv[1:7]
frozen = datetime.datetime.strptime(instant, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
botocore.auth.get_current_datetime = lambda *args, **kwargs: frozen

session = botocore.session.Session()
session.set_credentials(akid, secret, None if session_token == "-" else session_token)
session.set_config_variable("sts_regional_endpoints", "regional")
sts = STSClientFactory(session).get_sts_client(region_name=region)
print(TokenGenerator(sts).get_token(cluster))
