var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayAuthentication();
builder.AddInternalTokens();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddGatewayRouting();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseGatewayAuthentication();
app.MapInternalJwks();
app.MapReverseProxy();

app.Run();
