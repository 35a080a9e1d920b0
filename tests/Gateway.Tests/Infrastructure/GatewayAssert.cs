using System.Net;
using System.Text.Json;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>The gateway's error contract: status, error code, the JSON shape with request_id, and the RFC 6750 challenge.</summary>
public static class GatewayAssert
{
    /// <summary>Asserts the error response and returns its request id.</summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["error", "error_description", "request_id"], root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(error, root.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("error_description").GetString()));
        var requestId = root.GetProperty("request_id").GetString();
        Assert.False(string.IsNullOrEmpty(requestId));
        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("X-Request-Id")));
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            if (error != "missing_token")
            {
                Assert.Contains($"error=\"{error}\"", challenge.Parameter ?? string.Empty, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(challenge.Parameter);
            }
        }

        return requestId!;
    }

    /// <summary>A security test's full check: the error, and nothing reached any downstream service.</summary>
    public static async Task RejectedAsync(HttpResponseMessage response, HttpStatusCode status, string error, params RecordingDownstream[] downstreams)
    {
        await ErrorAsync(response, status, error);
        foreach (var downstream in downstreams)
        {
            Assert.Empty(downstream.Requests);
        }
    }
}
