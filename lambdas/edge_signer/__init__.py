"""Lambda@Edge origin-request function: signs each request to an IAM-protected API Gateway API with SigV4.

cfgen ``protection: iam_sigv4``; handler ``edge_signer.handler.handler``.
"""
