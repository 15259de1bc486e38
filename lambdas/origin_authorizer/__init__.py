"""API Gateway REQUEST authorizer: admits only requests carrying CloudFront's secret origin header.

cfgen ``protection: authorizer``; handler ``origin_authorizer.handler.handler``.
"""
