"""Keeps an IP target group in step with the ENI IPs of an interface VPC endpoint (cfgen ``target_sync: lambda``)."""
