using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation;

namespace Reference.Gateway.Tests.Propagation;

public sealed class PropagatedScopesTests
{
    [Theory]
    [InlineData("orders.read orders.write", "", "orders.read orders.write")]
    [InlineData("orders.read orders.write", "orders.read", "orders.read")]
    [InlineData("orders.write orders.read", "orders.read orders.write", "orders.read orders.write")]
    [InlineData("orders.read", "orders.read orders.write", "orders.read")]
    [InlineData("inventory.read", "orders.read", "")]
    public void For_RouteAndCallerScopes_RouteScopesTheCallerHolds(string callerScopes, string routeScopes, string expected)
    {
        var caller = new AuthenticatedCaller("alice", null, Split(callerScopes), null, "https://idp.test", DateTimeOffset.UnixEpoch, "hash");

        var scopes = PropagatedScopes.For(caller, Split(routeScopes));

        Assert.Equal(Split(expected), scopes);
    }

    [Fact]
    public void For_CallerHoldsEveryRouteScope_ReturnsTheRouteListItself()
    {
        string[] route = ["orders.read"];
        var caller = new AuthenticatedCaller("alice", null, ["orders.read", "orders.write"], null, "https://idp.test", DateTimeOffset.UnixEpoch, "hash");

        Assert.Same(route, PropagatedScopes.For(caller, route));
    }

    private static string[] Split(string scopes) => scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
