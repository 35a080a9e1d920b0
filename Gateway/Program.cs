var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Sessions live in Redis. No readiness check on it: with Redis down only session routes fail (closed), and bearer
// routes must keep being served, so an instance must not leave the load balancer for it.
builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true);
builder.AddGatewayAuthentication();
builder.AddIntrospectionAuthentication();
builder.AddSessionAuthentication();
builder.AddInternalTokens();
builder.AddTokenExchange();
builder.AddGatewayRateLimiting();
builder.AddRevocationConsumer();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddGatewayRouting();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseGatewayAuthentication();
app.UseGatewayRateLimiting();
app.MapInternalJwks();
app.MapBffEndpoints();
app.MapReverseProxy();

app.Run();
