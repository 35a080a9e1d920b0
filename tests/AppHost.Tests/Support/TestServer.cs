namespace Reference.AppHost.Tests.Support;

/// <summary>
/// A tiny HTTP server (python3) to run as an executable resource: listens on $PORT, answers
/// <c>/health</c> 200 (or 503 while the file named by $HEALTH_FLAG does not exist), <c>/env</c>
/// with its environment as JSON and <c>/headers</c> with the request headers (lower-case names) as JSON.
/// </summary>
internal static class TestServer
{
    private const string Script = """
        import http.server, json, os
        flag = os.environ.get("HEALTH_FLAG")
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/health":
                    self.send_response(200 if flag is None or os.path.exists(flag) else 503)
                    self.end_headers()
                elif self.path in ("/env", "/headers"):
                    body = json.dumps(dict(os.environ) if self.path == "/env" else {k.lower(): v for k, v in self.headers.items()}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.end_headers()
            def log_message(self, *args):
                pass
        print("test server listening on", os.environ["PORT"], flush=True)
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    public static IResourceBuilder<ExecutableResource> AddTestServer(this DistributedApplicationBuilder builder, string name) =>
        builder.AddExecutable(name, "python3", Path.GetTempPath(), "-u", "-c", Script)
            .WithHttpEndpoint(env: "PORT")
            .WithHttpHealthCheck("/health");
}
