using Microsoft.AspNetCore.Authentication.JwtBearer;
using Yarp.ReverseProxy.Configuration;

// The peer the load benchmark compares the gateway with: what a .NET user would otherwise pick. Stock YARP routes behind
// stock Microsoft.AspNetCore.Authentication.JwtBearer against the same IdP (discovery + JWKS), with no validated-token
// cache (every request verifies a signature) and the original token forwarded. Benchmark-only: no telemetry, no tenancy.
// Usage: dotnet JwtBearerPeer.dll --urls http://127.0.0.1:PORT --Peer:Authority http://127.0.0.1:IDP --Peer:Destination http://127.0.0.1:ORDERS/
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var authority = builder.Configuration["Peer:Authority"] ?? throw new InvalidOperationException("Peer:Authority is required.");
var destination = builder.Configuration["Peer:Destination"] ?? throw new InvalidOperationException("Peer:Destination is required.");
var downstreamPath = builder.Configuration["Peer:DownstreamPath"] ?? "/alive";

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
{
    options.Authority = authority;
    options.Audience = "reference-api";
    options.RequireHttpsMetadata = false;
    options.MapInboundClaims = false;
    options.TokenValidationParameters.ValidTypes = ["at+jwt", "application/at+jwt"];
    options.TokenValidationParameters.ValidAlgorithms = ["RS256", "ES256"];
});
builder.Services.AddAuthorizationBuilder().AddPolicy("orders.read", policy => policy
    .RequireAuthenticatedUser()
    .RequireAssertion(context => context.User.FindFirst("scope")?.Value.Split(' ').Contains("orders.read") == true));

RouteConfig Route(string id, string path, string? policy) => new()
{
    RouteId = id,
    ClusterId = "orders",
    Match = new RouteMatch { Path = path },
    AuthorizationPolicy = policy,
    Transforms = [new Dictionary<string, string> { ["PathSet"] = downstreamPath }],
};

builder.Services.AddReverseProxy().LoadFromMemory(
    [Route("bench-anon", "/bench/anon", "anonymous"), Route("bench-jwt", "/bench/jwt", "orders.read")],
    [new ClusterConfig { ClusterId = "orders", Destinations = new Dictionary<string, DestinationConfig> { ["orders"] = new() { Address = destination } } }]);

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapReverseProxy();
app.Run();
