# CKV_CFG_10: no security group ingress from 0.0.0.0/0 or ::/0, on any port.

resource "aws_security_group" "pass_no_inline_rules" {
  name   = "no-inline"
  vpc_id = "vpc-0a1b2c3d4e5f60718"
}

resource "aws_security_group" "pass_inline_from_a_cidr" {
  name   = "inline-cidr"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_security_group" "fail_inline_open" {
  name   = "inline-open"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    from_port   = 8443
    to_port     = 8443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "fail_inline_open_ipv6" {
  name   = "inline-open-v6"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_vpc_security_group_ingress_rule" "pass_from_group" {
  security_group_id            = "sg-0123456789abcdef0"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = "sg-0fedcba9876543210"
}

resource "aws_vpc_security_group_ingress_rule" "fail_open_ipv4" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "fail_open_ipv6" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "-1"
  cidr_ipv6         = "::/0"
}

resource "aws_security_group_rule" "fail_rule_open" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_blocks       = ["0.0.0.0/0"]
}

# Egress to anywhere is not ingress.
resource "aws_security_group_rule" "pass_egress_open" {
  type              = "egress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}
