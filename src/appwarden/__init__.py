"""appwarden: find Android apps that collect or use personal information illegally, with evidence.

The engine (this package minus ``platform``) is pure: each stage is a function of its inputs and never touches a
database or the network. ``appwarden.platform`` (Django) imports the engine, never the reverse.
"""

__version__ = "0.1.0"
ENGINE_NAME = "appwarden"
