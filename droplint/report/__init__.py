"""Reports: the same analysis as text for a terminal, JSON (schema 1), SARIF 2.1.0, GitHub
workflow annotations or GitLab code quality."""
