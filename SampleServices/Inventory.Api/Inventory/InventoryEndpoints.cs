using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reference.ServiceDefaults.InternalTokens;

namespace Reference.Inventory.Api.Inventory;

internal static class InventoryEndpoints
{
    public const string ReadScope = "inventory.read";
    public const string WriteScope = "inventory.write";
    private const int MaxQuantity = 1000;

    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var inventory = endpoints.MapGroup("/inventory").WithTags("Inventory")
            .RequireAuthorization(p => p.RequireAuthenticatedUser().AddRequirements(new AllowedActorRequirement()));
        inventory.MapGet("/whoami", WhoAmI).RequireAuthorization();
        inventory.MapGet("/items", List).RequireAuthorization(p => p.RequireScope(ReadScope));
        inventory.MapGet("/items/{sku}", Get).RequireAuthorization(p => p.RequireScope(ReadScope));
        inventory.MapPost("/items/{sku}/reservations", Reserve).RequireAuthorization(p => p.RequireScope(WriteScope));
        return endpoints;
    }

    private static Ok<WhoAmIResponse> WhoAmI(ClaimsPrincipal user, HttpRequest request) =>
        TypedResults.Ok(WhoAmIResponse.Create(user, request.Headers));

    private static Results<Ok<IReadOnlyList<InventoryItem>>, ForbidHttpResult> List(ClaimsPrincipal user, InventoryStore store)
    {
        var tenantId = CallerIdentity.FromPrincipal(user).TenantId;
        return tenantId is null ? TypedResults.Forbid() : TypedResults.Ok(store.List(tenantId));
    }

    // Another tenant's item answers exactly like a missing one: 404, never 403.
    private static Results<Ok<InventoryItem>, NotFound> Get(string sku, ClaimsPrincipal user, InventoryStore store)
    {
        var tenantId = CallerIdentity.FromPrincipal(user).TenantId;
        return tenantId is not null && store.Find(tenantId, sku) is { } item ? TypedResults.Ok(item) : TypedResults.NotFound();
    }

    private static Results<Created<Reservation>, NotFound, ValidationProblem, ProblemHttpResult, ForbidHttpResult> Reserve(
        string sku, ReserveRequest request, ClaimsPrincipal user, InventoryStore store, InventoryTelemetry telemetry)
    {
        var caller = CallerIdentity.FromPrincipal(user);
        if (caller.TenantId is null)
        {
            return TypedResults.Forbid();
        }

        if (request.Quantity is < 1 or > MaxQuantity)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["quantity"] = [$"The quantity must be between 1 and {MaxQuantity}."],
            });
        }

        using var activity = InventoryTelemetry.ActivitySource.StartActivity("inventory.reserve");
        var (outcome, reservation) = store.Reserve(caller.TenantId, sku, request.Quantity, caller.Subject);
        activity?.SetTag("inventory.outcome", outcome.ToString());
        switch (outcome)
        {
            case ReservationOutcome.Reserved:
                telemetry.Reserved(caller.TenantId);
                // Reservations have no resource of their own yet, so no Location header.
                return TypedResults.Created(default(string), reservation!);
            case ReservationOutcome.InsufficientStock:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Insufficient stock.");
            default:
                return TypedResults.NotFound();
        }
    }
}
