// ---------------------------------------------------------------------------
// The IAM service (query protocol, API version 2010-05-08): dispatches Action to the operations
// of roles, managed policies and users. Every call is authorized as `iam:<Action>` in the
// caller's own account; an action we do not implement answers InvalidAction (400), never success.
// https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
// ---------------------------------------------------------------------------
import { AwsError, type Service, type ServiceContext, type ServiceRequest, type ServiceResponse } from '../contracts';
import { QueryParams, queryResponse } from '../core/query';
import type { IamCall, IamOperation } from './call';
import { managedPolicyOperations } from './managed-policies';
import { roleOperations } from './roles';
import type { IamStore } from './store';
import { userOperations } from './users';

export const IAM_OPERATIONS: Readonly<Record<string, IamOperation>> = { ...roleOperations, ...managedPolicyOperations, ...userOperations };

export function invalidAction(action: string | undefined): AwsError {
  return action === undefined
    ? new AwsError('MissingAction', 'Missing Action')
    : new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
}

export function createIamService(iam: IamStore): Service {
  return {
    async handle(req: ServiceRequest, ctx: ServiceContext): Promise<ServiceResponse> {
      const params = QueryParams.from(req.body, req.query);
      const action = params.action;
      const operation = action !== undefined && Object.hasOwn(IAM_OPERATIONS, action) ? IAM_OPERATIONS[action] : undefined;
      if (!operation || action === undefined) throw invalidAction(action);
      const accountId = req.principal.accountId;
      const call: IamCall = {
        params,
        principal: req.principal,
        accountId,
        iam,
        now: () => ctx.now(),
        authorize: (resource, resourceAccountId = accountId) => ctx.authorize({ principal: req.principal, action: `iam:${action}`, resource, resourceAccountId }),
      };
      return queryResponse('iam', action, operation(call), req.requestId);
    },
  };
}
