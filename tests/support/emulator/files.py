"""Web API methods: files.getUploadURLExternal and files.completeUploadExternal (files_upload_v2)."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.support.emulator.state import EmulatorState, _err, _invalid_arguments, _ok


class FileMethods(EmulatorState):
    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length", ""))
        except (TypeError, ValueError):
            length = -1
        if not isinstance(filename, str) or not filename:
            return _invalid_arguments("missing required field: filename")
        if length < 0:
            return _invalid_arguments("missing required field: length")
        file_id = f"F{self._next_serial():09d}"
        self._pending_files[file_id] = {
            "id": file_id,
            "filename": filename,
            "length": length,
            "alt_txt": params.get("alt_txt"),
            "snippet_type": params.get("snippet_type"),
            "content": None,
        }
        return _ok(upload_url=f"{self.base_url}/upload/v1/{file_id}", file_id=file_id)

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                return _invalid_arguments("files: is not valid JSON")
        if not isinstance(files, list) or not files:
            return _invalid_arguments("missing required field: files")
        targets: list[str] = []
        channel_id = params.get("channel_id")
        channels = params.get("channels")
        requested = [channel_id] if channel_id else []
        if isinstance(channels, str) and channels:
            requested.extend(c.strip() for c in channels.split(",") if c.strip())
        for requested_channel in requested:
            resolved, error = self._resolve_target(requested_channel)
            if resolved is None:
                return _err(error or "channel_not_found")
            targets.append(resolved)
        pending: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for item in files:
            if not isinstance(item, dict) or item.get("id") not in self._pending_files:
                return _err("file_not_found")
            upload = self._pending_files[item["id"]]
            if upload["content"] is None:
                return _err("file_not_found")
            pending.append((item, upload))
        completed = []
        for item, upload in pending:
            file_id = upload["id"]
            del self._pending_files[file_id]
            content: bytes = upload["content"]
            title = item.get("title") or upload["filename"]
            record = {
                "id": upload["id"],
                "filename": upload["filename"],
                "title": title,
                "content": content,
                "size": len(content),
                "channel_id": targets[0] if targets else None,
                "channels": list(targets),
                "initial_comment": params.get("initial_comment"),
                "thread_ts": params.get("thread_ts"),
                "alt_txt": upload["alt_txt"],
            }
            self.uploaded_files.append(record)
            completed.append(
                {
                    "id": upload["id"],
                    "created": int(time.time()),
                    "timestamp": int(time.time()),
                    "name": upload["filename"],
                    "title": title,
                    "mimetype": "",
                    "filetype": upload["filename"].rsplit(".", 1)[-1] if "." in upload["filename"] else "",
                    "user": self.bot_user_id,
                    "size": len(content),
                    "is_public": any(t.startswith("C") for t in targets),
                    "url_private": f"{self.base_url}/files/{upload['id']}/{upload['filename']}",
                    "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{file_id}",
                    "channels": [t for t in targets if t.startswith("C")],
                    "groups": [t for t in targets if t.startswith("G")],
                    "ims": [t for t in targets if t.startswith("D")],
                }
            )
        return _ok(files=completed)
