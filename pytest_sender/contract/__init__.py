"""The contract of Sender's transactional API: the OpenAPI document and validation against it.

The document's source of truth is ``contracts/sender-transactional.openapi.yaml`` in the repository;
the wheel ships a copy as ``pytest_sender/contract/sender-transactional.openapi.yaml`` (hatch
``force-include``), and :func:`~pytest_sender.contract.document.contract_path` finds whichever is
present. Importing this package imports nothing heavy (PyYAML and jsonschema load on first use).
"""

from __future__ import annotations

from pytest_sender.contract.document import (
    CONTRACT_FILENAME,
    INVALID_DATA_MESSAGE,
    RequestValidator,
    contract_path,
    load_contract,
    request_validator,
)

__all__ = [
    "CONTRACT_FILENAME",
    "INVALID_DATA_MESSAGE",
    "RequestValidator",
    "contract_path",
    "load_contract",
    "request_validator",
]
