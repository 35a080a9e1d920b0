using Reference.Gateway.Authentication.Introspection;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication.Introspection;

public sealed class IntrospectionAuthenticationSchemeTests
{
    [Fact]
    public async Task Introspection_ActiveToken_BuildsCallerFromTheResult()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));

        var result = await harness.AuthenticateAsync(token);

        var caller = Assert.IsType<Reference.Gateway.Authentication.AuthenticatedCaller>(result.Caller);
        Assert.Equal("introspection", caller.Scheme);
        Assert.Equal(ControllableIdentityProvider.UserId, caller.Subject);
        Assert.Equal("demo-spa", caller.ClientId);
        Assert.Equal(["orders.read", "orders.write"], caller.Scopes);
        Assert.Equal("tenant-a", caller.TenantId);
        Assert.Equal(harness.Idp.Issuer, caller.Issuer);
        Assert.Equal(["buyer"], caller.Roles);
        Assert.Equal("alice@example.com", caller.Email);
        Assert.Equal(token, caller.AccessToken);
        Assert.DoesNotContain(token, caller.TokenHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Introspection_SameTokenManyTimes_CallsTheIdpOnce()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));

        var results = new List<bool>();
        for (var i = 0; i < 10; i++)
        {
            results.Add((await harness.AuthenticateAsync(token)).Caller is not null);
        }

        Assert.All(results, Assert.True);
        Assert.Equal(1, harness.Idp.IntrospectionCalls);
        Assert.Equal(1, harness.Metrics.Count(IntrospectionTelemetry.CacheLookupsMetric, "miss"));
        Assert.Equal(9, harness.Metrics.Count(IntrospectionTelemetry.CacheLookupsMetric, "hit"));
    }

    [Fact]
    public async Task Introspection_ConcurrentRequestsForOneToken_ShareOneCall()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => harness.AuthenticateAsync(token)));

        Assert.All(results, r => Assert.NotNull(r.Caller));
        Assert.Equal(1, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_InactiveToken_Returns401AndIsCachedBriefly()
    {
        await using var harness = await IntrospectionHarness.StartAsync();

        var first = await harness.AuthenticateAsync("unknown-opaque-token");
        var second = await harness.AuthenticateAsync("unknown-opaque-token");
        harness.Clock.Advance(TimeSpan.FromSeconds(6));
        await harness.AuthenticateAsync("unknown-opaque-token");

        Assert.Equal(401, first.StatusCode);
        Assert.Equal("invalid_token", first.Error);
        Assert.Equal(IntrospectionResponseParser.ReasonInactive, first.Reason);
        Assert.Equal(401, second.StatusCode);
        Assert.Equal(2, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_PositiveResult_IsReusedUntilTheTtl()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));

        await harness.AuthenticateAsync(token);
        harness.Clock.Advance(TimeSpan.FromSeconds(29));
        await harness.AuthenticateAsync(token);
        var callsWithinTtl = harness.Idp.IntrospectionCalls;
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        await harness.AuthenticateAsync(token);

        Assert.Equal(1, callsWithinTtl);
        Assert.Equal(2, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_TokenExpiringBeforeTheTtl_IsNotServedPastExp()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromSeconds(10));

        var fresh = await harness.AuthenticateAsync(token);
        harness.Clock.Advance(TimeSpan.FromSeconds(11));
        var expired = await harness.AuthenticateAsync(token);

        Assert.NotNull(fresh.Caller);
        Assert.Equal(401, expired.StatusCode);
        Assert.Equal("invalid_token", expired.Error);
        Assert.Equal(IntrospectionResponseParser.ReasonExpired, expired.Reason);
        Assert.Equal(2, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_RevokedToken_IsRejectedOnceTheCacheEntryExpires()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));

        await harness.AuthenticateAsync(token);
        harness.Idp.Revoke(token);
        harness.Clock.Advance(TimeSpan.FromSeconds(31));
        var result = await harness.AuthenticateAsync(token);

        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid_token", result.Error);
    }

    [Fact]
    public async Task Introspection_CacheFull_EvictsTheLeastRecentlyUsed()
    {
        await using var harness = await IntrospectionHarness.StartAsync(new() { ["Gateway:Introspection:MaxCacheEntries"] = "10" });
        var tokens = Enumerable.Range(0, 11).Select(_ => harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1))).ToArray();
        for (var i = 0; i < 10; i++)
        {
            await harness.AuthenticateAsync(tokens[i]);
        }

        await harness.AuthenticateAsync(tokens[0]);
        await harness.AuthenticateAsync(tokens[10]);
        var callsBefore = harness.Idp.IntrospectionCalls;
        await harness.AuthenticateAsync(tokens[0]);
        var recentlyUsedCalls = harness.Idp.IntrospectionCalls - callsBefore;
        await harness.AuthenticateAsync(tokens[1]);
        var leastRecentlyUsedCalls = harness.Idp.IntrospectionCalls - callsBefore;

        Assert.True(harness.Cache.Count <= 10, $"cache holds {harness.Cache.Count} entries");
        Assert.Equal(0, recentlyUsedCalls);
        Assert.Equal(1, leastRecentlyUsedCalls);
    }

    [Fact]
    public async Task Introspection_FirstAttemptFails_RetriesOnceAndSucceeds()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));
        harness.Idp.FailNextIntrospections(1);

        var result = await harness.AuthenticateAsync(token);

        Assert.NotNull(result.Caller);
        Assert.Equal(2, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_FirstAttemptTimesOut_RetriesOnceAndSucceeds()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));
        harness.Idp.HangNextIntrospections(1);

        var result = await harness.AuthenticateAsync(token);

        Assert.NotNull(result.Caller);
        Assert.Equal(2, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_BothAttemptsFail_Returns503AfterExactlyOneRetry()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));
        harness.Idp.FailNextIntrospections(5);

        var result = await harness.AuthenticateAsync(token);

        Assert.Null(result.Caller);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("temporarily_unavailable", result.Error);
        Assert.Equal(2, harness.Idp.IntrospectionCalls);
    }

    [Fact]
    public async Task Introspection_WrongClientSecret_FailsClosedWith503()
    {
        await using var harness = await IntrospectionHarness.StartAsync(new() { ["Gateway:Introspection:ClientSecret"] = "wrong-secret" });
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));

        var result = await harness.AuthenticateAsync(token);

        Assert.Null(result.Caller);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("temporarily_unavailable", result.Error);
    }

    [Fact]
    public async Task Introspection_RepeatedFailures_OpenTheBreakerAndStopCallingTheIdp()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        harness.Idp.IntrospectionDown = true;
        for (var i = 0; i < 5; i++)
        {
            await harness.AuthenticateAsync(harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1)));
        }

        var callsWhenOpened = harness.Idp.IntrospectionCalls;
        var whileOpen = await harness.AuthenticateAsync(harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1)));

        Assert.Equal(10, callsWhenOpened);
        Assert.Equal(10, harness.Idp.IntrospectionCalls);
        Assert.Equal(503, whileOpen.StatusCode);
        Assert.Equal("temporarily_unavailable", whileOpen.Error);
        Assert.Equal(1, harness.Metrics.Gauge(IntrospectionTelemetry.BreakerStateMetric));
        Assert.Equal(1, harness.Metrics.Count(IntrospectionTelemetry.RequestsMetric, "circuit_open"));
    }

    [Fact]
    public async Task Introspection_BreakerOpen_ProbesAfterTheBreakAndClosesWhenTheIdpRecovers()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        harness.Idp.IntrospectionDown = true;
        for (var i = 0; i < 5; i++)
        {
            await harness.AuthenticateAsync(harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1)));
        }

        harness.Idp.IntrospectionDown = false;
        harness.Clock.Advance(TimeSpan.FromSeconds(31));
        var probe = await harness.AuthenticateAsync(harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1)));

        Assert.NotNull(probe.Caller);
        Assert.Equal(0, harness.Metrics.Gauge(IntrospectionTelemetry.BreakerStateMetric));
    }

    [Fact]
    public async Task Introspection_OutageWithUseCachedOrReject_ServesACachedPositiveResult()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));
        await harness.AuthenticateAsync(token);
        harness.Idp.IntrospectionDown = true;
        harness.Clock.Advance(TimeSpan.FromSeconds(60));

        var result = await harness.AuthenticateAsync(token);

        Assert.NotNull(result.Caller);
        Assert.Equal(1, harness.Metrics.Count(IntrospectionTelemetry.CacheLookupsMetric, "stale_hit"));
    }

    [Fact]
    public async Task Introspection_OutageWithUseCachedOrReject_RejectsPastMaxCachedAge()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));
        await harness.AuthenticateAsync(token);
        harness.Idp.IntrospectionDown = true;
        harness.Clock.Advance(TimeSpan.FromSeconds(301));

        var result = await harness.AuthenticateAsync(token);

        Assert.Equal(503, result.StatusCode);
        Assert.Equal("temporarily_unavailable", result.Error);
    }

    [Fact]
    public async Task Introspection_OutageWithUseCachedOrReject_NeverServesPastExp()
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromSeconds(40));
        await harness.AuthenticateAsync(token);
        harness.Idp.IntrospectionDown = true;
        harness.Clock.Advance(TimeSpan.FromSeconds(41));

        var result = await harness.AuthenticateAsync(token);

        Assert.Null(result.Caller);
        Assert.Equal(503, result.StatusCode);
    }

    [Fact]
    public async Task Introspection_OutageWithRejectAll_RejectsEvenCachedTokens()
    {
        await using var harness = await IntrospectionHarness.StartAsync(new() { ["Gateway:Introspection:Fallback"] = "RejectAll" });
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1));
        await harness.AuthenticateAsync(token);
        harness.Idp.IntrospectionDown = true;
        harness.Clock.Advance(TimeSpan.FromSeconds(60));

        var result = await harness.AuthenticateAsync(token);

        Assert.Null(result.Caller);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("temporarily_unavailable", result.Error);
    }

    [Fact]
    public async Task Introspection_OversizeToken_IsRejectedWithoutCallingTheIdp()
    {
        await using var harness = await IntrospectionHarness.StartAsync();

        var result = await harness.AuthenticateAsync(new string('a', 5000));

        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid_token", result.Error);
        Assert.Equal(0, harness.Idp.IntrospectionCalls);
    }

    public static TheoryData<string, string> ActiveButUnacceptable => new()
    {
        { "wrong-aud", IntrospectionResponseParser.ReasonAudience },
        { "no-aud", IntrospectionResponseParser.ReasonAudience },
        { "no-exp", IntrospectionResponseParser.ReasonClaims },
        { "no-subject", IntrospectionResponseParser.ReasonClaims },
        { "past-exp", IntrospectionResponseParser.ReasonExpired },
    };

    [Theory]
    [MemberData(nameof(ActiveButUnacceptable))]
    public async Task Introspection_ActiveButUnacceptableResult_Returns401(string variant, string reason)
    {
        await using var harness = await IntrospectionHarness.StartAsync();
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1), claims =>
        {
            switch (variant)
            {
                case "wrong-aud":
                    claims["aud"] = "another-api";
                    break;
                case "no-aud":
                    claims.Remove("aud");
                    break;
                case "no-exp":
                    claims.Remove("exp");
                    break;
                case "no-subject":
                    claims.Remove("sub");
                    claims.Remove("client_id");
                    break;
                case "past-exp":
                    claims["exp"] = harness.Clock.GetUtcNow().AddSeconds(-1).ToUnixTimeSeconds();
                    break;
            }
        });

        var result = await harness.AuthenticateAsync(token);

        Assert.Null(result.Caller);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid_token", result.Error);
        Assert.Equal(reason, result.Reason);
    }

    [Theory]
    [InlineData("https://other-issuer.example", false)]
    [InlineData(null, true)]
    public async Task Introspection_ConfiguredIssuer_RejectsAForeignIssOnly(string? iss, bool accepted)
    {
        await using var harness = await IntrospectionHarness.StartAsync(new() { ["Gateway:Introspection:Issuer"] = "http://issuer.example" });
        var token = harness.Idp.IssueOpaqueToken(TimeSpan.FromHours(1), claims =>
        {
            if (iss is null)
            {
                claims.Remove("iss");
            }
            else
            {
                claims["iss"] = iss;
            }
        });

        var result = await harness.AuthenticateAsync(token);

        Assert.Equal(accepted, result.Caller is not null);
        if (accepted)
        {
            Assert.Equal("http://issuer.example", result.Caller!.Issuer);
        }
        else
        {
            Assert.Equal(401, result.StatusCode);
            Assert.Equal(IntrospectionResponseParser.ReasonIssuer, result.Reason);
        }
    }

    [Theory]
    [InlineData("{\"active\":\"true\"}")]
    [InlineData("[]")]
    [InlineData("not json")]
    [InlineData("{}")]
    public void Parser_MalformedResponse_IsTreatedAsUnavailable(string body)
    {
        var options = new IntrospectionOptions { ClientSecret = "x" };

        Assert.Throws<IntrospectionUnavailableException>(() =>
            IntrospectionResponseParser.Parse(System.Text.Encoding.UTF8.GetBytes(body), options, DateTimeOffset.UtcNow, "hash", "token"));
    }

    [Fact]
    public void CanHandle_OnlyWithABearerToken()
    {
        var scheme = new IntrospectionAuthenticationScheme(null!, null!, null!, Microsoft.Extensions.Options.Options.Create(new IntrospectionOptions()), null!);

        Assert.True(scheme.CanHandle(IntrospectionHarness.Request("opaque")));
        Assert.False(scheme.CanHandle(IntrospectionHarness.Request(null)));
    }
}
