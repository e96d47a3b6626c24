"""The export services, one module each; built into a graph by exports.container."""
