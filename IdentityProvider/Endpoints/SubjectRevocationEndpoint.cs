using System.Diagnostics;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Validation;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>POST /connect/revocation/subject</c> (form <c>subject=…</c>): revokes every token of a subject issued at or before
/// now (<c>revoked:sub:{sub}</c> + <c>{"type":"sub",...}</c> on <c>reference:revocations</c>). The caller authenticates
/// as a confidential client exactly as at <c>/connect/revocation</c> and must have
/// <c>IdentityProvider:Clients:{id}:AllowSubjectRevocation</c>; otherwise 403 <c>unauthorized_client</c>. Idempotent:
/// 200 with an empty body whether or not the subject exists (nothing about users is disclosed).
/// </summary>
internal sealed class SubjectRevocationEndpoint(
    IClientAuthenticator clientAuthenticator,
    TokenRevocations revocations,
    ILogger<SubjectRevocationEndpoint> logger) : IEndpointHandler
{
    public const string SubjectParameter = "subject";

    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(SubjectRevocationEndpoint));
        var request = context.Request;
        var (parameters, formError) = await FormRequestReader.ReadPostedFormAsync(request, "subject revocation", context.RequestAborted);
        if (parameters is null)
        {
            return Error(activity, Errors.InvalidRequest, formError);
        }

        try
        {
            var authentication = await clientAuthenticator.AuthenticateAsync(request, parameters, context.RequestAborted);
            if (authentication.IsError)
            {
                return Error(activity, authentication.Error, authentication.ErrorDescription);
            }

            var client = authentication.Client;
            activity?.SetTag(IdentityProviderTelemetry.ClientIdTag, client.ClientId);
            if (client.IsPublic || !client.AllowSubjectRevocation)
            {
                TokenLifecycleLog.SubjectRevocationRefused(logger, client.ClientId);
                return Error(activity, Errors.UnauthorizedClient, "The client is not allowed to revoke subjects.", StatusCodes.Status403Forbidden);
            }

            if (!parameters.TryGetValue(SubjectParameter, out var subject) || string.IsNullOrWhiteSpace(subject))
            {
                return Error(activity, Errors.InvalidRequest, "subject is required.");
            }

            var instant = await revocations.RevokeSubjectAsync(subject, context.RequestAborted);
            TokenLifecycleLog.SubjectRevoked(logger, subject, instant, client.ClientId);
            return new EmptyNoStoreResult();
        }
        catch (RedisException ex)
        {
            TokenLifecycleLog.StorageUnavailable(logger, EndpointPaths.SubjectRevocation, ex);
            return Error(activity, Errors.TemporarilyUnavailable, "The authorization server is temporarily unavailable; retry later.");
        }
    }

    private static TokenErrorResult Error(Activity? activity, string error, string? description, int? statusCode = null)
    {
        activity?.SetTag(IdentityProviderTelemetry.ErrorTag, error);
        activity?.SetStatus(ActivityStatusCode.Error, error);
        return new TokenErrorResult(error, description, statusCode);
    }
}
