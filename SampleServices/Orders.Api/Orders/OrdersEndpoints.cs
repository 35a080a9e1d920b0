using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Reference.ServiceDefaults.InternalTokens;

namespace Reference.Orders.Api.Orders;

internal static partial class OrdersEndpoints
{
    public const string ReadScope = "orders.read";
    public const string WriteScope = "orders.write";
    private const int MaxQuantity = 1000;

    public static IEndpointRouteBuilder MapOrdersEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var orders = endpoints.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("/whoami", WhoAmI).RequireAuthorization();
        orders.MapGet("/", List).RequireAuthorization(p => p.RequireScope(ReadScope));
        orders.MapGet("/{id}", Get).RequireAuthorization(p => p.RequireScope(ReadScope));
        orders.MapPost("/", Create).RequireAuthorization(p => p.RequireScope(WriteScope));
        return endpoints;
    }

    private static Ok<WhoAmIResponse> WhoAmI(ClaimsPrincipal user, HttpRequest request) =>
        TypedResults.Ok(WhoAmIResponse.Create(user, request.Headers));

    private static Results<Ok<IReadOnlyList<Order>>, ForbidHttpResult> List(ClaimsPrincipal user, OrderStore store)
    {
        var tenantId = CallerIdentity.FromPrincipal(user).TenantId;
        return tenantId is null ? TypedResults.Forbid() : TypedResults.Ok(store.List(tenantId));
    }

    // Another tenant's order answers exactly like a missing one: 404, never 403.
    private static Results<Ok<Order>, NotFound> Get(string id, ClaimsPrincipal user, OrderStore store)
    {
        var tenantId = CallerIdentity.FromPrincipal(user).TenantId;
        return tenantId is not null && store.Find(tenantId, id) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound();
    }

    private static Results<Created<Order>, ValidationProblem, ForbidHttpResult> Create(
        CreateOrderRequest request, ClaimsPrincipal user, OrderStore store, OrdersTelemetry telemetry)
    {
        var caller = CallerIdentity.FromPrincipal(user);
        if (caller.TenantId is null)
        {
            return TypedResults.Forbid();
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Sku is null || !SkuPattern().IsMatch(request.Sku))
        {
            errors["sku"] = ["A SKU of 1 to 32 letters, digits or dashes is required."];
        }

        if (request.Quantity is < 1 or > MaxQuantity)
        {
            errors["quantity"] = [$"The quantity must be between 1 and {MaxQuantity}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        using var activity = OrdersTelemetry.ActivitySource.StartActivity("orders.create");
        var order = store.Create(caller.TenantId, request.Sku!, request.Quantity, caller.Subject);
        activity?.SetTag("order.id", order.Id);
        telemetry.OrderCreated(caller.TenantId);
        return TypedResults.Created($"/orders/{order.Id}", order);
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex SkuPattern();
}
