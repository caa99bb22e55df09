"""A bare Flask app with one JSON endpoint: the framework's own limit on this machine."""

from flask import Flask, jsonify, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/echo")
    def echo():  # type: ignore[no-untyped-def]
        return jsonify({"received": len(request.get_json(force=True) or {})}), 201

    return app
