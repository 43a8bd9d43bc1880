"""Provider tokens sealed by KMS: encrypted with the user and the provider as encryption context, so a
sealed value copied to another user's connection does not open. Only ciphertext reaches the table."""

from __future__ import annotations

import base64
from typing import Any

from deepiri_integrations.models.connections import Tokens


class TokenVault:
    def __init__(self, key_id: str, kms: Any) -> None:
        self._key_id = key_id
        self._kms = kms

    def seal(self, tokens: Tokens, user_id: str, provider: str) -> str:
        blob = self._kms.encrypt(KeyId=self._key_id, Plaintext=tokens.model_dump_json().encode(),
                                 EncryptionContext=_context(user_id, provider))["CiphertextBlob"]
        return base64.b64encode(blob).decode()

    def open(self, sealed: str, user_id: str, provider: str) -> Tokens:
        plain = self._kms.decrypt(CiphertextBlob=base64.b64decode(sealed), KeyId=self._key_id,
                                  EncryptionContext=_context(user_id, provider))["Plaintext"]
        return Tokens.model_validate_json(plain)


def _context(user_id: str, provider: str) -> dict[str, str]:
    return {"userId": user_id, "provider": provider}
