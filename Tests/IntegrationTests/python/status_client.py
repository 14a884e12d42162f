"""Calls caravan.v1.Agent/Status over mutual TLS from Python, proving the API is a contract for other languages.

Usage: status_client.py STUBS_DIR ADDRESS CA CERT KEY EXPECTED_SAN
Prints the status as JSON on stdout; exits non-zero on any failure.
"""
import json
import sys

stubs, address, ca, cert, key, expected_san = sys.argv[1:7]
sys.path.insert(0, stubs)

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from caravan.v1 import agent_pb2, agent_pb2_grpc  # noqa: E402


def read(path):
    with open(path, "rb") as f:
        return f.read()


credentials = grpc.ssl_channel_credentials(
    root_certificates=read(ca), private_key=read(key), certificate_chain=read(cert)
)
# Verify the server by its role SAN, exactly as Caravan's own clients do.
options = [("grpc.ssl_target_name_override", expected_san)]
with grpc.secure_channel(address, credentials, options=options) as channel:
    stub = agent_pb2_grpc.AgentStub(channel)
    response = stub.Status(agent_pb2.AgentStatusRequest(), timeout=10)
    print(json.dumps(json_format.MessageToDict(response)))
