using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Reference.Orders.Api.Orders;
using Reference.ServiceDefaults.InternalTokens;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Orders.Api.Delegation;

/// <summary>The stock level of an order's SKU, from the response of Inventory.Api.</summary>
internal sealed record OrderStock(string OrderId, string Sku, int? QuantityAvailable);

/// <summary>
/// <c>GET /orders/{id}/stock</c>: Orders.Api exchanges the token it received for an Inventory.Api token
/// (delegation: the IdP adds <c>act: {sub: orders-service}</c>) and asks Inventory.Api for the stock.
/// </summary>
internal static class StockEndpoints
{
    public const string InventoryClientName = "Reference.Orders.Inventory";

    public static IEndpointRouteBuilder MapStockEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/orders/{id}/stock", GetStockAsync).WithTags("Orders")
            .RequireAuthorization(p => p.RequireScope(OrdersEndpoints.ReadScope));
        endpoints.MapGet("/orders/delegation/whoami", GetDelegatedWhoAmIAsync).WithTags("Orders")
            .RequireAuthorization(p => p.RequireScope(OrdersEndpoints.ReadScope));
        return endpoints;
    }

    /// <summary>
    /// <c>GET /orders/delegation/whoami</c>: what Inventory.Api verifies when Orders.Api calls it on the caller's behalf
    /// (Inventory.Api's own <c>/inventory/whoami</c> answer, called with the exchanged token), to show the delegation
    /// chain (<c>act</c>) end to end.
    /// </summary>
    private static async Task<IResult> GetDelegatedWhoAmIAsync(
        ClaimsPrincipal user, HttpRequest request, TokenExchangeClient exchange,
        IHttpClientFactory httpClientFactory, ServiceEndpointResolver resolver, IOptionsMonitor<TokenExchangeOptions> options,
        CancellationToken cancellationToken)
    {
        var (token, failure) = await ExchangeAsync(CallerIdentity.FromPrincipal(user), request, exchange, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        try
        {
            var client = httpClientFactory.CreateClient(InventoryClientName);
            using var inventoryRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(resolver.Resolve(options.CurrentValue.InventoryBaseAddress), "/inventory/whoami"));
            inventoryRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(inventoryRequest, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return Error(StatusCodes.Status403Forbidden, "delegation_refused", $"Inventory.Api refused the delegated token ({(int)response.StatusCode}).");
            }

            if (!response.IsSuccessStatusCode)
            {
                return Unavailable(request.HttpContext, "Inventory.Api is unavailable.");
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return TypedResults.Json(json.RootElement.Clone());
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Unavailable(request.HttpContext, "Inventory.Api is unreachable.");
        }
    }

    /// <summary>The exchanged Inventory.Api token, or the answer explaining why there is none.</summary>
    private static async Task<(string? Token, IResult? Failure)> ExchangeAsync(
        CallerIdentity caller, HttpRequest request, TokenExchangeClient exchange, CancellationToken cancellationToken)
    {
        // The IdP exchanges only its own tokens: a gateway internal token cannot be the subject token.
        if (caller.TokenType == InternalTokenDefaults.TokenType)
        {
            return (null, Error(StatusCodes.Status424FailedDependency, "delegation_unavailable",
                "This request carries a gateway internal token, which the identity provider cannot exchange; use a route in exchange or pass-through mode."));
        }

        // Trusted-header requests (the gateway's headers mode) carry no token to exchange.
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization.Length <= "Bearer ".Length)
        {
            return (null, Error(StatusCodes.Status424FailedDependency, "delegation_unavailable",
                "This request carries no token the identity provider could exchange; use a route in exchange or pass-through mode."));
        }

        var result = await exchange.ExchangeAsync(authorization["Bearer ".Length..].Trim(), cancellationToken);
        return result.Status switch
        {
            ExchangeStatus.Issued => (result.AccessToken, null),
            ExchangeStatus.NotConfigured => (null, Error(StatusCodes.Status424FailedDependency, "delegation_unavailable", result.Error!)),
            ExchangeStatus.Refused => (null, Error(StatusCodes.Status403Forbidden, "delegation_refused", $"The identity provider refused the exchange ({result.Error}).")),
            _ => (null, Unavailable(request.HttpContext, result.Error!, result.RetryAfter)),
        };
    }

    private static async Task<IResult> GetStockAsync(
        string id, ClaimsPrincipal user, HttpRequest request, OrderStore store, TokenExchangeClient exchange,
        IHttpClientFactory httpClientFactory, ServiceEndpointResolver resolver, IOptionsMonitor<TokenExchangeOptions> options,
        CancellationToken cancellationToken)
    {
        var caller = CallerIdentity.FromPrincipal(user);
        if (caller.TenantId is null || store.Find(caller.TenantId, id) is not { } order)
        {
            return TypedResults.NotFound();
        }

        var (token, failure) = await ExchangeAsync(caller, request, exchange, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        try
        {
            var client = httpClientFactory.CreateClient(InventoryClientName);
            var uri = new Uri(resolver.Resolve(options.CurrentValue.InventoryBaseAddress), "/inventory/items/" + Uri.EscapeDataString(order.Sku));
            using var inventoryRequest = new HttpRequestMessage(HttpMethod.Get, uri);
            inventoryRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(inventoryRequest, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return TypedResults.Ok(new OrderStock(order.Id, order.Sku, null));
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return Error(StatusCodes.Status403Forbidden, "delegation_refused", $"Inventory.Api refused the delegated token ({(int)response.StatusCode}).");
            }

            if (!response.IsSuccessStatusCode)
            {
                return Unavailable(request.HttpContext, "Inventory.Api is unavailable.");
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var quantity = json.RootElement.TryGetProperty("quantityAvailable", out var q) && q.TryGetInt32(out var n) ? n : (int?)null;
            return TypedResults.Ok(new OrderStock(order.Id, order.Sku, quantity));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Unavailable(request.HttpContext, "Inventory.Api is unreachable.");
        }
    }

    private static JsonHttpResult<Dictionary<string, string>> Unavailable(HttpContext context, string description, TimeSpan? retryAfter = null)
    {
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(1, (retryAfter ?? TimeSpan.FromSeconds(5)).TotalSeconds)))
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", description);
    }

    private static JsonHttpResult<Dictionary<string, string>> Error(int status, string error, string description) =>
        TypedResults.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
