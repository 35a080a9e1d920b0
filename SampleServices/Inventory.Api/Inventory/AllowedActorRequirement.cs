using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.InternalTokens;

namespace Reference.Inventory.Api.Inventory;

/// <summary>Which delegating services may call Inventory.Api (section <c>Inventory</c>).</summary>
internal sealed class InventoryOptions
{
    public const string SectionName = "Inventory";

    /// <summary>The allowed current actors (<c>Inventory:AllowedActors</c>), by <c>act.sub</c>, e.g. <c>orders-service</c>.</summary>
    public List<string> AllowedActors { get; set; } = [];
}

/// <summary>The current actor of a delegated token must be in <c>Inventory:AllowedActors</c>.</summary>
internal sealed class AllowedActorRequirement : IAuthorizationRequirement
{
}

/// <summary>
/// RFC 8693 §4.1: authorization looks at the top-level subject (the endpoints' scopes and tenant) and the
/// <b>current</b> actor only; a token whose current actor is not in <c>Inventory:AllowedActors</c> is refused
/// (403). Prior actors nested deeper are informational and never consulted. No <c>act</c>: no delegation.
/// </summary>
internal sealed class AllowedActorHandler(IOptionsMonitor<InventoryOptions> options) : AuthorizationHandler<AllowedActorRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AllowedActorRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }

        var actor = CallerIdentity.FromPrincipal(context.User).Actor;
        if (actor is null || (actor.Subject is { } sub && options.CurrentValue.AllowedActors.Contains(sub, StringComparer.Ordinal)))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "The current actor is not allowed."));
        }

        return Task.CompletedTask;
    }
}
